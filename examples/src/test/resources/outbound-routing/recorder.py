"""aiosmtpd handler for OutboundRoutingTest: a Maildir like aiosmtpd.handlers.Mailbox, whose messages carry the
client's address (X-Peer), envelope (X-MailFrom, X-RcptTo) and, added here, its EHLO name (X-Helo)."""
from aiosmtpd.handlers import Mailbox


class Recorder(Mailbox):
    def prepare_message(self, session, envelope):
        message = super().prepare_message(session, envelope)
        message["X-Helo"] = str(session.host_name)
        return message
