"""Adapters for mail: mailboxes to read (IMAP, Maildir) and ways to send (SMTP, file outbox)."""
