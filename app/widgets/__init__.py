"""The studio's widgets: each listens to :class:`wsad_studio.state.AppState` and draws it."""
