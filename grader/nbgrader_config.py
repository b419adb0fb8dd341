"""nbgrader configuration for the course.

Run nbgrader from this folder (the Makefile does: `cd grader && nbgrader ...`). The course
root is the repository; nbgrader's "source" is solutions/ and its "release" is chapters/.
Submissions, autograded copies, feedback and the gradebook stay in git-ignored folders here.
"""
import os

here = os.path.dirname(os.path.abspath(__file__))
c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "gradlab"
c.CourseDirectory.root = os.path.dirname(here)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "chapters"
c.CourseDirectory.submitted_directory = "grader/submitted"
c.CourseDirectory.autograded_directory = "grader/autograded"
c.CourseDirectory.feedback_directory = "grader/feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")

# Student versions: stubs that fail loudly, and no header cell.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Grading: a cell that runs past this is stopped and scores 0; the notebook is still graded.
c.ExecutePreprocessor.timeout = 60
c.Execute.timeout = 60
