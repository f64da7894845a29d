"""The Discord front end: the bot, rendering, views, its CLI subcommands and exts/ (cogs).

Nothing here is imported by the terminal tutor; importing this package does not load discord.py.
"""
