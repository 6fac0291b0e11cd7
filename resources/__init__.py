"""Data files shipped with wsad-studio (installed as the package ``wsad_core.resources``)."""
