"""`qms mailsink`: a local SMTP server for the demo. Each mail is saved as instance/mail/*.eml and
announced on the console, so reminders can be seen without a real mail server."""
from __future__ import annotations

import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class _Save:
    def __init__(self, folder: Path, echo):
        self.folder, self.echo = folder, echo

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{stamp}-{abs(hash(envelope.content)) % 10**8:08d}.eml"
        path.write_bytes(envelope.content)
        self.echo(f"mail to {', '.join(envelope.rcpt_tos)}: {msg['Subject']}  ({path})")
        return "250 OK"


def serve(config, echo=print) -> None:
    """Listen on QMS_SMTP_HOST:QMS_SMTP_PORT until stopped."""
    folder = Path(config["INSTANCE_PATH"]) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_Save(folder, echo), hostname=config["QMS_SMTP_HOST"], port=config["QMS_SMTP_PORT"])
    controller.start()
    echo(f"mail sink on {config['QMS_SMTP_HOST']}:{config['QMS_SMTP_PORT']}, saving to {folder}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
