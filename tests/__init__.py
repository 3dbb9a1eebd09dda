from pathlib import Path

# Real published files the tests read, each with its licence (see data/README.md).
TEST_DATA_DIR = Path(__file__).resolve().parent / "data"
