"""``patienthood publish``: a static site of many report folders, for a body that assesses many models and releases.

One module per job: ``inputs`` reads and checks the report folders, ``catalog`` groups
them into model families and releases, ``charts`` draws each measure across releases,
``feed`` builds ``feed.json``, ``pages`` renders the HTML from the templates in the
``reports/site/`` content folder, ``site`` puts it all together and writes the folder
(manifest last), and ``verify`` checks a published site against its manifest and
against the site its own report folders give.
"""

DEFAULT_TITLE = "Moral patienthood criteria: assessments of AI models"
