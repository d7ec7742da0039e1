from werkzeug.exceptions import BadRequest


class InvalidInput(BadRequest):
    """Input the API cannot accept: a 400 whose JSON names the field at fault."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field
