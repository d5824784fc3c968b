"""The torch-free core: the knowledge base, the engine that reads it, the records
evidence arrives in, and the result. Imports nothing above it in the package."""
