class ServiceProvider:
    """Wires one part of the application: the only place the app is set up.

    Subclass it, implement ``register`` and call ``app.register(YourProvider)``
    from bootstrap. ``self.app`` is the application.
    """

    def __init__(self, app):
        self.app = app

    def register(self):
        raise NotImplementedError(f"{type(self).__name__} must implement register()")
