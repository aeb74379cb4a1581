"""Background work of campaigns: exports of big campaigns."""
