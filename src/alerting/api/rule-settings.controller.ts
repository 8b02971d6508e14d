import { Body, Controller, Get, Patch, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AdminGuard } from '../../api/admin.guard.js';
import { Audited } from '../../audit/audited.decorator.js';
import { documentRoute } from '../../api/openapi.js';
import { ZodValidationPipe } from '../../api/zod-validation.pipe.js';
import { withoutUndefined } from '../../util/without-undefined.js';
import { ruleSettingsPatchSchema, RuleSettingsService, type RuleSettingsPatch } from '../rule-settings.service.js';
import { ruleSettingsViewSchema } from './alerting.schemas.js';
import { mapErrors } from './http-errors.js';
import { Actor } from './actor.decorator.js';

documentRoute({ method: 'get', path: '/api/rules/settings', tag: 'rules', admin: true, summary: 'Global rule defaults (NEWS2 bands, telecare timers) and their version', response: ruleSettingsViewSchema });
documentRoute({ method: 'patch', path: '/api/rules/settings', tag: 'rules', admin: true, summary: 'Change global defaults: each top-level section given replaces the current one; versioned and audited', body: ruleSettingsPatchSchema, response: ruleSettingsViewSchema });
documentRoute({
  method: 'get',
  path: '/api/rules/settings/history',
  tag: 'rules',
  admin: true,
  summary: 'Every change of the global defaults',
  response: z.object({ items: z.array(z.object({ fromVersion: z.number(), toVersion: z.number(), changedBy: z.string(), changedAt: z.number(), patch: z.unknown() })) }),
});


@Controller('api/rules/settings')
@UseGuards(AdminGuard)
export class RuleSettingsController {
  constructor(private readonly settings: RuleSettingsService) {}

  @Get()
  async get() {
    return this.settings.current();
  }

  @Patch()
  @Audited<z.infer<typeof ruleSettingsViewSchema>>('rule_settings.change', (_req, r) => ({ targetKind: 'rule_settings', targetId: null, detail: { version: r.version } }))
  async change(@Body(new ZodValidationPipe(ruleSettingsPatchSchema, 'body')) body: RuleSettingsPatch, @Actor() who: string) {
    return mapErrors(() => this.settings.change(withoutUndefined(body) as RuleSettingsPatch, who));
  }

  @Get('history')
  async history() {
    return { items: await this.settings.history() };
  }
}
