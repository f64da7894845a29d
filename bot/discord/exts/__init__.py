"""Discord extensions, one per file; each has `async def setup(bot)`."""
