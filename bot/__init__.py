"""bankbot gateway, dialogue glue, bank core and CLI."""
