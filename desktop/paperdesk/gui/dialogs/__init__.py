"""Dialogs: importing, tag picking and managing."""
