"""The knowledge base as data: YAML files validated against schema.yaml.

This folder ships inside the wheel as ``loss_advisor.knowledge``; the loader
is ``loss_advisor.core.kb``.
"""
