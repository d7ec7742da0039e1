PUBLIC = "edmunds_public"


def public(view):
    """Mark a view that answers without a token (the login, /up, /ready):
    the token guard lets it by and the OpenAPI document says so."""
    # Imported here, where routes are registered: the token guard imports
    # PUBLIC, and the console's db commands, which load the guard's
    # provider, do not wait for the API libraries (flask-smorest and
    # marshmallow) to import.
    from edmunds.http.blueprint import endpoint

    setattr(view, PUBLIC, True)
    return endpoint.doc(security=[])(view)
