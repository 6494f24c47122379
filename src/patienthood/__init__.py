"""patienthood: assess AI models against versioned criteria relevant to moral patienthood.

The package is a pipeline: criteria (YAML) name batteries (inspect-ai tasks); the
batteries' logs are scored, summarised with honest intervals and turned into verdicts;
the verdicts are published as a report with full provenance.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("patienthood")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
