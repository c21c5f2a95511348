"""Kasane: the working platform for 重層的支援体制整備事業."""
