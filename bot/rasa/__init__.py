"""Everything that touches the Rasa dialogue engine: project assembly, training, process, HTTP client.

Nothing here imports ``rasa``: Rasa lives in its own Python 3.10 venv and is driven through its
command line and HTTP contracts.
"""
