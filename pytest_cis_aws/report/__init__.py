"""What the plugin shows: terminal summary, pytest-html columns, JSON findings."""
