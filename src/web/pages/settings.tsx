/**
 * Settings, one sub-page per part (each a link): the business profile the agent uses, the contacts' custom
 * fields, the team (owners and admins), the providers' state, and one's own account (password, language).
 * The WhatsApp line is linked from here to its own page. Agents read the profile and the fields; owners and
 * admins change them.
 */
import { MessageCircle } from "lucide-preact";
import { useRoute } from "preact-iso";
import { TabLinks } from "../components/tabs.tsx";
import { t } from "../i18n.ts";
import { canManage } from "../session.ts";
import { PageHeader } from "../ui.tsx";
import { AccountSettings } from "./settings-account.tsx";
import { BusinessSettingsForm } from "./settings-business.tsx";
import { FieldsEditor } from "./settings-fields.tsx";
import { ProvidersStatus } from "./settings-providers.tsx";
import { UsersSettings } from "./settings-users.tsx";
import { NotFoundPage } from "./not-found.tsx";

const TABS = ["business", "fields", "users", "providers", "account"] as const;
type Tab = (typeof TABS)[number];

export function SettingsPage() {
  const { params } = useRoute();
  const tab = (params.tab ?? "business") as Tab;
  if (!TABS.includes(tab) || (tab === "users" && !canManage.value)) return <NotFoundPage />;
  const items = TABS.filter((x) => x !== "users" || canManage.value).map((x) => ({ href: `/app/admin/settings/${x}`, label: t(`settings_${x}`), active: x === tab }));
  items.push({ href: "/app/admin/settings/whatsapp", label: "WhatsApp", active: false, icon: <MessageCircle size={16} aria-hidden="true" /> } as (typeof items)[number]);
  return (
    <>
      <PageHeader title={t("settings")} />
      <TabLinks label={t("settingsParts")} items={items} />
      {tab === "business" && <BusinessSettingsForm />}
      {tab === "fields" && <FieldsEditor />}
      {tab === "users" && <UsersSettings />}
      {tab === "providers" && <ProvidersStatus />}
      {tab === "account" && <AccountSettings />}
    </>
  );
}
