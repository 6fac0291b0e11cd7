"""wsad-studio: the desktop application over :mod:`wsad_core` (installed as ``wsad_studio``)."""
