import { describe, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import type { StandinClient } from './client.ts'
import type { RouteInput, RouteOutput } from './routes.ts'
import type * as s from './schemas.ts'

/**
 * The client's methods typed from the route table: were a method's input or
 * answer to drift from its route's schemas, these stop compiling
 * (`npx vitest run --typecheck.only` or `npx tsc --noEmit -p .`).
 */
declare const standin: StandinClient
type Answer<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>

describe('client methods take and answer what their routes declare', () => {
  it('faults', () => {
    expectTypeOf(standin.faults.add).parameter(0).toEqualTypeOf<RouteInput<'faults.add'>['body']>()
    expectTypeOf<Answer<typeof standin.faults.add>>().toEqualTypeOf<RouteOutput<'faults.add'>>()
    expectTypeOf<Answer<typeof standin.faults.get>>().toEqualTypeOf<RouteOutput<'faults.get'>>()
    expectTypeOf<Answer<typeof standin.faults.list>>().toEqualTypeOf<RouteOutput<'faults.list'>['rules']>()
    expectTypeOf<Answer<typeof standin.faults.remove>>().toEqualTypeOf<{ removed: number }>()
    // @ts-expect-error a rule has an effect
    void standin.faults.add({ match: {} })
  })

  it('messages', () => {
    expectTypeOf(standin.messages.code).parameter(0).toEqualTypeOf<RouteInput<'messages.code'>['query']>()
    expectTypeOf<Answer<typeof standin.messages.code>>().toEqualTypeOf<z.output<typeof s.CodeResult>>()
    expectTypeOf<Answer<typeof standin.messages.code>>().toHaveProperty('code').toEqualTypeOf<string>()
    expectTypeOf<Answer<typeof standin.messages.list>>().toEqualTypeOf<
      RouteOutput<'messages.list'>['messages']
    >()
    // @ts-expect-error the code is read from one recipient's messages
    void standin.messages.code({ timeoutMs: 10 })
    // a coerced query field takes its parsed type, not `unknown`
    expectTypeOf<RouteInput<'messages.code'>['query']['timeoutMs']>().toEqualTypeOf<number | undefined>()
  })

  it('webhooks', () => {
    expectTypeOf(standin.webhooks.rules.add)
      .parameter(0)
      .toEqualTypeOf<RouteInput<'webhooks.rules.add'>['body']>()
    expectTypeOf(standin.webhooks.endpoints.add)
      .parameter(0)
      .toEqualTypeOf<RouteInput<'webhooks.endpoints.add'>['body']>()
    expectTypeOf(standin.webhooks.deliveries.wait)
      .parameter(0)
      .toEqualTypeOf<RouteInput<'webhooks.deliveries.wait'>['query']>()
    expectTypeOf<Answer<typeof standin.webhooks.deliveries.wait>>().toEqualTypeOf<
      RouteOutput<'webhooks.deliveries.wait'>
    >()
    expectTypeOf<Answer<typeof standin.webhooks.deliveries.list>>().toEqualTypeOf<
      RouteOutput<'webhooks.deliveries.list'>['deliveries']
    >()
    expectTypeOf<Answer<typeof standin.webhooks.events.send>>().toEqualTypeOf<
      RouteOutput<'webhooks.events.send'>
    >()
  })

  it('clock, journal, presets, hub', () => {
    expectTypeOf(standin.clock.advance).parameter(0).toEqualTypeOf<number | string>()
    expectTypeOf(standin.clock.set).parameter(0).toEqualTypeOf<number | string>()
    expectTypeOf<Answer<typeof standin.clock.advance>>().toEqualTypeOf<z.output<typeof s.ClockState>>()
    expectTypeOf(standin.journal.wait).parameter(0).toEqualTypeOf<RouteInput<'journal.wait'>['query']>()
    expectTypeOf<Answer<typeof standin.journal.list>>().toEqualTypeOf<RouteOutput<'journal.list'>>()
    expectTypeOf<Answer<typeof standin.presets.apply>>().toEqualTypeOf<RouteOutput<'presets.apply'>>()
    expectTypeOf<Answer<typeof standin.health>>().toEqualTypeOf<z.output<typeof s.Health>>()
    expectTypeOf<Answer<typeof standin.providers>>().toEqualTypeOf<z.output<typeof s.ProviderList>>()
    expectTypeOf<Answer<typeof standin.reset>>().toEqualTypeOf<{ reset: true }>()
  })

  it('call() by route id takes exactly the parts the route has', () => {
    expectTypeOf<RouteInput<'faults.get'>>().toEqualTypeOf<{ params: { id: string } }>()
    expectTypeOf<Answer<typeof standin.call<'faults.get'>>>().toEqualTypeOf<RouteOutput<'faults.get'>>()
    // @ts-expect-error faults.get needs the id
    void standin.call('faults.get', {})
    // @ts-expect-error an unknown route id
    void standin.call('faults.nope', {})
  })
})
