"""Background work of campaigns: exports of big campaigns (each run also deletes the files of
exports older than the retention delay)."""

from octets.campaigns import exports
from octets.jobs.registry import job_handler


@job_handler(exports.EXPORT_JOB_KIND)
def export_campaign_results(job) -> dict:
    exports.purge_expired_exports()
    return exports.write_export(job)
