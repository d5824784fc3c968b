"""Screens of the guided session: each renders the controller's state and
sends the user's choices to the app; dialogs dismiss a value to a callback."""
