/**
 * CSV import (owners and admins): pick a file, choose what a row whose number already exists does (update or
 * skip), check it first (a dry run: the same report, nothing written), then import. The report lists every
 * problem by spreadsheet row and column; a failed row is never half-imported.
 */
import { useState } from "preact/hooks";
import { api, ApiError, qs } from "../api.ts";
import { Select } from "../form.tsx";
import { t } from "../i18n.ts";
import { Button, ErrorLine, Notice } from "../ui.tsx";

interface ImportReport {
  dryRun: boolean;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  problems: Array<{ row: number; field: string; problem: string }>;
}

export function ImportForm(props: { onImported: () => void }) {
  const [file, setFile] = useState<File>();
  const [onDuplicate, setOnDuplicate] = useState("update");
  const [report, setReport] = useState<ImportReport>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function run(dryRun: boolean) {
    if (!file) return setError(t("chooseFile"));
    setBusy(true);
    setError(undefined);
    try {
      const body = new File([file], file.name, { type: "text/csv" });
      const r = await api<ImportReport>(`/api/contacts/import${qs({ onDuplicate, dryRun: dryRun ? "true" : undefined })}`, { body });
      setReport(r);
      if (!dryRun) props.onImported();
    } catch (err) {
      setReport(undefined);
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <p class="mb-3 text-sm text-slate-700">{t("importHint")}</p>
      <div class="mb-3">
        <label for="import-file" class="mb-1 block text-sm font-medium text-slate-800">
          {t("csvFile")}
        </label>
        <input
          id="import-file"
          type="file"
          name="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            setFile((e.target as HTMLInputElement).files?.[0]);
            setReport(undefined);
          }}
          class="block w-full text-sm text-slate-800 file:me-3 file:rounded-md file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:font-medium file:text-indigo-800"
        />
      </div>
      <Select
        label={t("whenNumberExists")}
        value={onDuplicate}
        onChange={setOnDuplicate}
        options={[
          { value: "update", label: t("dupUpdate") },
          { value: "skip", label: t("dupSkip") },
        ]}
      />
      <ErrorLine message={error} />
      {report && (
        <div aria-live="polite">
          <Notice>
            <p class="font-medium">{report.dryRun ? t("checkResult") : t("importResult")}</p>
            <p>{t("importCounts", { created: report.created, updated: report.updated, skipped: report.skipped, failed: report.failed })}</p>
          </Notice>
          {report.problems.length > 0 && (
            <div class="mb-3 max-h-64 overflow-auto rounded-md ring-1 ring-slate-200" tabIndex={0} aria-label={t("problems")}>
              <table class="w-full text-sm">
                <caption class="sr-only">{t("problems")}</caption>
                <thead class="bg-slate-50 text-slate-700">
                  <tr>
                    <th scope="col" class="px-2 py-1.5 text-start font-medium">
                      {t("row")}
                    </th>
                    <th scope="col" class="px-2 py-1.5 text-start font-medium">
                      {t("column")}
                    </th>
                    <th scope="col" class="px-2 py-1.5 text-start font-medium">
                      {t("problem")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.problems.map((p, i) => (
                    <tr key={i} class="border-t border-slate-100">
                      <td class="px-2 py-1.5 tabular-nums">{p.row}</td>
                      <td class="px-2 py-1.5">
                        <bdi>{p.field}</bdi>
                      </td>
                      <td class="px-2 py-1.5">
                        <bdi dir="ltr">{p.problem}</bdi>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
      <div class="flex flex-wrap justify-end gap-2">
        <Button variant="secondary" disabled={busy || !file} onClick={() => run(true)}>
          {t("checkFile")}
        </Button>
        <Button disabled={busy || !file} onClick={() => run(false)}>
          {t("importNow")}
        </Button>
      </div>
    </div>
  );
}
