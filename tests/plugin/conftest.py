"""The plugin's tests run sample projects with ``pytester``; the samples are not collected here."""

collect_ignore = ["sample_project"]
