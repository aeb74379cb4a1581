"""Password rules shared by sign-up, reset and forced change: upper, lower and digit."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    def validate(self, password, user=None):
        missing = []
        if not re.search(r"[A-Z]", password or ""):
            missing.append(_("une majuscule"))
        if not re.search(r"[a-z]", password or ""):
            missing.append(_("une minuscule"))
        if not re.search(r"\d", password or ""):
            missing.append(_("un chiffre"))
        if missing:
            raise ValidationError(
                _("Le mot de passe doit contenir au moins %(missing)s.")
                % {"missing": ", ".join(missing)},
                code="password_character_classes",
            )

    def get_help_text(self):
        return _("Au moins 8 caractères, dont une majuscule, une minuscule et un chiffre.")
