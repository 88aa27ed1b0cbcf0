"""Owning the meter connection: the target (which meter, which certificate), the polling policy, the commands
and events, the jobs that share the one connection, and the bridge to the history store. Qt-free."""
