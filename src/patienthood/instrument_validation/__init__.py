"""Instrument validation: does the instrument classify subjects whose properties are known?

A measuring instrument is trusted when it tells apart respondents whose properties
are planted (known-groups validity). Every report carries the result. (Checking that
content files are well formed is another thing: ``patienthood criteria validate``, in
``patienthood.review``.)
"""
