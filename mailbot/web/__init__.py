"""The staff desk: `mailbot web`, server-rendered Dutch pages on the same store as the bot.

Starlette serves the pages; its SessionMiddleware signs the login cookie,
asgi-csrf guards every form, argon2 hashes the passwords. Pages are modules
under `pages/`, each with its own routes and templates; they change the
registry only through the functions the command line uses (mailbot.changes,
mailbot.staff), so the desk and mail follow the same rules.
"""

from mailbot.web.app import create_app

__all__ = ["create_app"]
