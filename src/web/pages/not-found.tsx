/** An admin path with no page. */
import { t } from "../i18n.ts";
import { Card, PageHeader } from "../ui.tsx";

export function NotFoundPage() {
  return (
    <>
      <PageHeader title={t("notFound")} />
      <Card>
        <p class="text-slate-700">{t("notFoundHint")}</p>
        <a href="/app/admin/overview" class="mt-3 inline-block text-indigo-700 underline">
          {t("overview")}
        </a>
      </Card>
    </>
  );
}
