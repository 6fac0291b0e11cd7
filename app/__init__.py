"""wsad-studio: the desktop application over :mod:`wsad_core` (installed as ``wsad_studio``)."""

from wsad_studio.refcounts import protect_singletons

protect_singletons()
