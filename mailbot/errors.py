"""One exception family for infrastructure failures and bugs.

Expected outcomes (an unknown sender, an unclear reply, an out-of-office) are
decisions, not exceptions. These classes are for what stops the bot or must be
retried; only the CLI turns them into exit codes and one-line messages.
"""


class MailbotError(Exception):
    """Base class: every error the CLI reports as one line."""

    exit_code = 1


class ConfigError(MailbotError):
    """config.toml or a rules/ file is wrong; raised at start-up, fatal."""

    exit_code = 2


class StorageError(MailbotError):
    """The database cannot be opened or migrated."""

    exit_code = 3


class MailboxError(MailbotError):
    """The mailbox (IMAP or Maildir) cannot be reached or read; retried by `run`."""

    exit_code = 4


class DeliveryError(MailbotError):
    """Outgoing mail could not be handed over; `permanent` says whether to retry."""

    exit_code = 5

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
