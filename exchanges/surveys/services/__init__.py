"""Writes of the survey engine: staff build surveys (building), people answer them (answers). Each function
is one transaction and is audited; refusals raise SurveyError (``field`` names the form field it belongs to)
or, for answers, ValidationError with a message per question key."""

from .answers import check_answers, save_answers, survey_questions
from .building import (
    add_question,
    close_survey,
    create_survey,
    create_survey_from_template,
    delete_question,
    has_submissions,
    move_question,
    open_survey,
    update_question,
    update_survey,
)
from .errors import SurveyError

__all__ = [
    "SurveyError",
    "add_question",
    "check_answers",
    "close_survey",
    "create_survey",
    "create_survey_from_template",
    "delete_question",
    "has_submissions",
    "move_question",
    "open_survey",
    "save_answers",
    "survey_questions",
    "update_question",
    "update_survey",
]
