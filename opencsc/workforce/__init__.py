"""The children's social work workforce: staff records, the funded establishment, and the rates leaders watch."""
