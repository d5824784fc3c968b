"""Widgets of the guided session: they render what they are given and
announce what the user picked (loss_advisor.surfaces.tui.messages); none of them
decides anything."""
