"""`xcelsior-desktop` / `xcelsior-desktop app`: the tray app with this computer's identity."""

from __future__ import annotations

import argparse

HELP = "start the tray app (the default)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--show", action="store_true", help="open the window at start")
    parser.add_argument("--debug", action="store_true", help="log debug details (never keys) to the log file")
    from xcelsior_desktop.home_assistant.url import broker_url_argument

    # parsed here (a bad URL is a usage error); the session's MQTT publisher takes args.mqtt (a BrokerUrl or None)
    parser.add_argument("--mqtt", metavar="URL", type=broker_url_argument,
                        help="publish readings to this MQTT broker for this run, with Home Assistant discovery: "
                             "mqtt://[user[:password]@]host[:port] or mqtts://... (a password here is visible to "
                             "other users of this computer; prefer Settings, which keeps it in the keyring)")


def run(args: argparse.Namespace) -> int:
    from xcelsior_desktop.app.launch import run_gui

    def build(qapp, log_path):  # type: ignore[no-untyped-def]
        from xcelsior_desktop.app.application import XcelsiorApp
        from xcelsior_desktop.app.onboarding.startup import DialogAsker, load_at_launch
        from xcelsior_desktop.platform.secrets import IdentityStore
        from xcelsior_desktop.platform.settings import Settings

        settings = Settings.load()
        store = IdentityStore()
        launch = load_at_launch(store, DialogAsker())  # asks for a passphrase / what to do about the keyring
        why = launch.message
        app = XcelsiorApp(qapp, identity=launch.identity, settings=settings, log_path=str(log_path), store=store,
                          identity_message=why or Settings.load_message, mqtt_flag=args.mqtt)
        # no identity yet: the setup wizard opens (unless the user chose "not now" about the keyring)
        app.start(setup_if_needed=launch.setup)
        if args.show or why or Settings.load_message:
            app.show_view()
        return app, lambda: None

    return run_gui("app", "Xcelsior Desktop is already running; its window was brought up.", build, debug=args.debug)
