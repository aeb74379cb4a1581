"""Assessments: training on a competence, answers, knowledge elements, the learner's profile."""
