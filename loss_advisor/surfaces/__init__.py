"""What the user reads and types: the command line, the Markdown report, the TUI.
Surfaces import everything below them; nothing below imports a surface."""
