"""Local HTTPS fakes of the cloud audit-log APIs the poller talks to.

Each fake is one process on 127.0.0.1 (`python3 -m fakes.<name> --port 0 --cert-dir DIR`)
that prints `{"port": N, "pid": P}` once it is ready and is steered through `/_control/`.
"""
