import { expect, test } from "bun:test";
import { whatsappProblem } from "../../../src/web/components/whatsapp-problem.tsx";
import { hiddenNumber } from "../../../src/whatsapp/sender.ts";

test("the server's 'hidden number' refusal is shown in the owner's language, not as raw text", () => {
  expect(whatsappProblem(new Error(hiddenNumber(7, "us.13491208655302741918"))).key).toBe("waErrHiddenNumber");
  expect(whatsappProblem(new Error("contact 7 has no WhatsApp number")).key).toBe("waErrNoNumber");
});
