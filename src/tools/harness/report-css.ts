/**
 * The evidence report's style sheet, inlined so the report is one self-contained file. Printed
 * (or printed to PDF, the evidence pack), every case and message is expanded and bodies wrap.
 */
export const REPORT_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{padding:18px 28px;color:#fff}header.passed{background:#1f7a3f}header.failed{background:#a3261d}
header h1{margin:0 0 4px;font-size:22px}main{padding:8px 28px 28px}footer{padding:12px 28px;color:#667}
h2{margin:26px 0 8px;border-bottom:2px solid #d5d9df;padding-bottom:4px}h3{margin:18px 0 6px}h4{margin:12px 0 4px}
section.summary{background:#fff3f2;border:1px solid #e5b4af;padding:4px 16px;margin-top:16px}
table{border-collapse:collapse;background:#fff;margin:6px 0}th,td{border:1px solid #dde1e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}td.num{text-align:right;white-space:nowrap}
.muted{color:#6b7580;font-size:12px}.req-text{color:#39424c;font-size:13px}.detail{color:#39424c;font-size:12px}
.badge{display:inline-block;border-radius:3px;padding:0 6px;font-size:11px;font-weight:700;color:#fff;background:#6b7580}
.badge.passed{background:#1f7a3f}.badge.failed,.badge.error{background:#a3261d}.badge.skipped,.badge.untested,.badge.not-run{background:#8a8f96}
a.passed{color:#1f7a3f}a.failed,a.error{color:#a3261d;font-weight:700}a.skipped{color:#8a8f96}
details.case{background:#fff;border:1px solid #d5d9df;border-left:5px solid #1f7a3f;margin:6px 0;padding:4px 10px}
details.case.failed,details.case.error{border-left-color:#a3261d}details.case.skipped{border-left-color:#8a8f96}
details>summary{cursor:pointer}.failure{background:#fff3f2;border:1px solid #e5b4af;padding:6px 12px;margin:8px 0}
.skip{background:#f1f2f4;border:1px solid #d5d9df;padding:6px 12px;margin:8px 0}
table.checks tr.ok td:first-child{color:#1f7a3f}table.checks tr.bad td{background:#fff3f2}table.checks tr.bad td:first-child{color:#a3261d;font-weight:700}
tr.step.failed td{background:#fff3f2}tr.step.not-run td{color:#8a8f96}
details.msg{border:1px solid #dde1e6;margin:4px 0;padding:3px 8px;background:#fbfcfd}details.msg.sent{border-left:4px solid #3a6ea5}
details.msg.received{border-left:4px solid #7a5aa5}details.msg.offending{border:2px solid #a3261d;background:#fff3f2}
.warn{color:#a3261d;font-weight:700;font-size:12px}
pre.body{white-space:pre-wrap;word-break:break-all;background:#f3f4f6;border:1px solid #e1e4e8;padding:8px;font-size:12px;max-height:480px;overflow:auto}
table.coverage tr.failed td:first-child,table.coverage tr.error td:first-child{border-left:4px solid #a3261d}
table.coverage tr.passed td:first-child{border-left:4px solid #1f7a3f}ul.reqs{margin:4px 0;padding-left:18px}code{font-size:12px}
@media print{
body{background:#fff;font-size:11px}header{color:#000;border-bottom:3px solid #000;background:none!important}
header.failed h1{color:#a3261d}details::details-content{content-visibility:visible;display:contents}
details>*{display:block}details>summary{list-style:none}details.case,details.msg{break-inside:auto;page-break-inside:auto}
pre.body{max-height:none;overflow:visible;white-space:pre-wrap;word-break:break-all;overflow-wrap:anywhere}
table{page-break-inside:auto}tr{break-inside:avoid}a{color:inherit;text-decoration:none}
}
`;
