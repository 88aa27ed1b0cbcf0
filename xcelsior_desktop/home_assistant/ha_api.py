"""A connection to Home Assistant's websocket API (``/api/websocket``), with every refusal in words.

Blocking (the ``websockets`` library's sync client): call it off the GUI thread. Home Assistant greets a client with
``auth_required`` and its version, takes an access token (``auth_ok`` or ``auth_invalid``), then answers commands
by id (``result``, ``success``, ``error``). Each way this can fail is an exception whose ``user_message`` says what
happened and what to do: nothing answers, what answers is not Home Assistant, Home Assistant is too old for the
feed, the token is refused, the token's user may not do it, a command failed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import ssl
from types import TracebackType
from typing import Any

from xcelsior_desktop.home_assistant.ha_url import HomeAssistantUrl

log = logging.getLogger(__name__)

MIN_VERSION = (2024, 11)  # device-based MQTT discovery, which the feed uses, arrived in 2024.11
MIN_VERSION_TEXT = "2024.11"
MAX_MESSAGE_BYTES = 64 << 20  # a year of hourly statistics of two sensors is a few MB
_VERSION = re.compile(r"^(\d{4})\.(\d{1,2})(?:\.|$)")


class HomeAssistantError(Exception):
    """``user_message``: one or two sentences for the user; ``exit_status``: the command line's."""

    exit_status = 1

    def __init__(self, user_message: str, detail: str = "") -> None:
        super().__init__(f"{user_message} ({detail})" if detail else user_message)
        self.user_message = user_message


class Unreachable(HomeAssistantError):
    exit_status = 4


class NotHomeAssistant(HomeAssistantError):
    exit_status = 7


class TooOld(HomeAssistantError):
    exit_status = 9


class TokenRefused(HomeAssistantError):
    exit_status = 3


class NotAllowed(HomeAssistantError):
    exit_status = 3


class CommandFailed(HomeAssistantError):
    def __init__(self, user_message: str, code: str = "", detail: str = "") -> None:
        super().__init__(user_message, detail)
        self.code = code


def parse_version(text: str) -> tuple[int, int] | None:
    match = _VERSION.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def require_version(version: str, where: str) -> None:
    """:class:`TooOld` for a Home Assistant older than the feed needs (or a version that is not one)."""
    parsed = parse_version(version)
    if parsed is None or parsed < MIN_VERSION:
        raise TooOld(f"Home Assistant {version} at {where} is too old: the feed needs {MIN_VERSION_TEXT} or newer. "
                     "Update Home Assistant, then try again.")


class HomeAssistantApi:
    """``with HomeAssistantApi(url, token) as api: api.call("config/entity_registry/list")``."""

    def __init__(self, url: HomeAssistantUrl, token: str, *, timeout_s: float = 30.0) -> None:
        self.url = url
        self.token = token
        self.timeout_s = timeout_s
        self.version = ""
        self._ws: Any = None
        self._stack = contextlib.ExitStack()
        self._next_id = 1

    def __enter__(self) -> HomeAssistantApi:
        self.open()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    # -- connecting --------------------------------------------------------------------------------------------

    def open(self) -> None:
        where = self.url.display()
        self._ws = self._connect(where)
        try:
            greeting = self._receive(f"{where} opened a websocket but said nothing")
            version = greeting.get("ha_version") if greeting.get("type") == "auth_required" else None
            if not isinstance(version, str):
                raise NotHomeAssistant(f"{where} is not Home Assistant: it did not greet as Home Assistant does. "
                                       "Check the address (the one your browser opens Home Assistant at).")
            self.version = version
            require_version(version, where)
            self._send({"type": "auth", "access_token": self.token})
            answer = self._receive(f"Home Assistant at {where} did not answer the access token")
            if answer.get("type") == "auth_invalid":
                raise TokenRefused(f"Home Assistant at {where} refused the access token. Create a long-lived access "
                                   "token (your profile in Home Assistant, Security) and enter it again.",
                                   str(answer.get("message", "")))
            if answer.get("type") != "auth_ok":
                raise NotHomeAssistant(f"{where} did not answer the access token as Home Assistant does.",
                                       str(answer)[:200])
        except BaseException:
            self.close()
            raise

    def _connect(self, where: str) -> Any:
        from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI
        from websockets.sync.client import connect

        try:  # entered as a context manager, the one form every websockets release since 15 takes
            return self._stack.enter_context(connect(self.url.websocket(), open_timeout=self.timeout_s,
                                                     close_timeout=2.0, max_size=MAX_MESSAGE_BYTES, proxy=None))
        except InvalidStatus as exc:
            status = exc.response.status_code
            raise NotHomeAssistant(f"{where} is not Home Assistant: it answered HTTP {status} where Home Assistant "
                                   "offers its websocket API. Check the address (the one your browser opens Home "
                                   "Assistant at).", f"HTTP {status}") from None
        except ssl.SSLCertVerificationError as exc:
            raise Unreachable(f"The certificate of {where} is not trusted by this computer: use the address your "
                              "browser trusts, or http:// inside your home network.",
                              str(exc.verify_message or exc)) from None
        except ssl.SSLError as exc:
            raise Unreachable(f"The secure connection to {where} failed: if Home Assistant does not use https, "
                              "write http:// instead.", str(exc.reason or exc)) from None
        except (InvalidHandshake, InvalidURI) as exc:
            raise NotHomeAssistant(f"{where} is not Home Assistant: it does not speak Home Assistant's websocket "
                                   "API. Check the address and the port (8123 unless you changed it).",
                                   f"{type(exc).__name__}: {exc}") from None
        except TimeoutError:
            raise Unreachable(f"Home Assistant at {where} did not answer in {self.timeout_s:.0f} s: check that it "
                              "is running and that the address and port are right.") from None
        except OSError as exc:
            raise Unreachable(f"Nothing answers at {where}: check that Home Assistant is running and that the "
                              "address and port are right.", exc.strerror or str(exc)) from None

    # -- messages ----------------------------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            self._ws.send(json.dumps(message))
        except ConnectionClosed as exc:
            raise Unreachable(f"Home Assistant at {self.url.display()} closed the connection.", str(exc)) from None

    def _receive(self, silent: str) -> dict[str, Any]:
        from websockets.exceptions import ConnectionClosed

        try:
            raw = self._ws.recv(timeout=self.timeout_s)
        except TimeoutError:
            raise Unreachable(f"{silent} within {self.timeout_s:.0f} s.") from None
        except ConnectionClosed as exc:
            if self.version:
                raise Unreachable(f"Home Assistant at {self.url.display()} closed the connection.",
                                  str(exc)) from None
            raise NotHomeAssistant(f"{self.url.display()} is not Home Assistant: it closed the websocket without "
                                   "greeting.", str(exc)) from None
        try:
            message = json.loads(raw)
        except (TypeError, ValueError):
            message = None
        if not isinstance(message, dict):
            raise NotHomeAssistant(f"{self.url.display()} is not Home Assistant: it answered something that is not "
                                   "Home Assistant's JSON.", repr(raw)[:120])
        return message

    def call(self, command: str, **fields: Any) -> Any:
        """Send one command and return its ``result``; :class:`CommandFailed` (or :class:`NotAllowed`) if not."""
        message_id = self._next_id
        self._next_id += 1
        self._send({"id": message_id, "type": command, **fields})
        while True:
            answer = self._receive(f"Home Assistant did not answer {command}")
            if answer.get("id") != message_id or answer.get("type") != "result":
                continue  # an event of an earlier subscription, or a pong
            if answer.get("success"):
                return answer.get("result")
            found = answer.get("error")
            error: dict[str, Any] = found if isinstance(found, dict) else {}
            code, text = str(error.get("code", "")), str(error.get("message", ""))
            if code == "unauthorized":
                raise NotAllowed("The access token's Home Assistant user may not do this: it takes a token of an "
                                 "administrator.", f"{command}: {text}")
            if code == "unknown_command":
                raise CommandFailed(f"Home Assistant does not know {command}: is its recorder (history) on?", code,
                                    text)
            raise CommandFailed(f"Home Assistant refused {command}: {text or code}", code, text)

    def close(self) -> None:
        self._ws = None
        try:
            self._stack.close()
        except Exception as exc:  # closing a broken connection must not hide why it broke
            log.debug("closing the Home Assistant websocket: %s", exc)
