"""nbgrader configuration for the course.

Run nbgrader from this folder (the Makefile does: `cd grader && nbgrader ...`). The course
root is the repository; nbgrader's "source" is solutions/ and its "release" is chapters/.
Submissions, autograded copies, feedback and the gradebook live in the git-ignored course/
folder (grader.COURSE), apart from the grader's code.
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
from grader import COURSE, COURSE_ID

c = get_config()  # provided by traitlets when it loads this file

c.CourseDirectory.course_id = COURSE_ID
c.CourseDirectory.root = os.path.dirname(here)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "chapters"
c.CourseDirectory.submitted_directory = "course/submitted"
c.CourseDirectory.autograded_directory = "course/autograded"
c.CourseDirectory.feedback_directory = "course/feedback"
c.CourseDirectory.db_url = f"sqlite:///{COURSE / 'gradebook.db'}"

# Student versions: stubs that fail loudly, and no header cell.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Grading: a cell that runs past this is stopped and scores 0; the notebook is still graded.
c.ExecutePreprocessor.timeout = 60
c.Execute.timeout = 60
