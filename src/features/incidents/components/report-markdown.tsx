import { useEffect, useMemo, useState } from 'react';

/** The report's Markdown: shown as inert text, copied to the clipboard, or downloaded as a file. */
export function ReportMarkdown({ markdown, fileName }: { markdown: string; fileName: string }) {
  const [status, setStatus] = useState('');
  const href = useMemo(() => URL.createObjectURL(new Blob([markdown], { type: 'text/markdown' })), [markdown]);
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(markdown);
      setStatus('Copied the report as Markdown.');
    } catch {
      setStatus('The browser refused the clipboard: select the text below and copy it, or download the file.');
    }
  };
  return (
    <section aria-labelledby="report-markdown" className="report-markdown">
      <h2 id="report-markdown">Markdown for the post-incident review</h2>
      <div className="report-markdown__actions">
        <button type="button" className="button button--primary" onClick={() => void copy()}>
          Copy Markdown
        </button>
        <a className="button" href={href} download={fileName}>
          Download {fileName}
        </a>
        <span role="status" className="muted">
          {status}
        </span>
      </div>
      <pre className="report-markdown__text" data-testid="report-markdown" tabIndex={0} aria-label="Report as Markdown">
        {markdown}
      </pre>
    </section>
  );
}
