/**
 * Credit packages and their prices in each provider's currency, in minor
 * units (USD cents for Stripe, INR paise for Razorpay; KRW has no minor unit).
 */
export const PACKAGES = [
  { id: 'small', name: 'Small', credits: 50, prices: { usd: 499, inr: 39_900, krw: 5_900 } },
  { id: 'medium', name: 'Medium', credits: 120, prices: { usd: 999, inr: 79_900, krw: 11_900 } },
  { id: 'large', name: 'Large', credits: 300, prices: { usd: 1_999, inr: 159_900, krw: 23_900 } },
  { id: 'xlarge', name: 'X-Large', credits: 600, prices: { usd: 3_499, inr: 279_900, krw: 41_900 } },
] as const
export type PackageId = (typeof PACKAGES)[number]['id']
export type Package = (typeof PACKAGES)[number]

export const PREMIUM = {
  name: 'Premium (monthly)',
  prices: { usd: 1_499, inr: 99_900, krw: 14_900 },
  periodMs: 30 * 24 * 3600_000,
} as const

export function findPackage(id: string): Package | undefined {
  return PACKAGES.find((p) => p.id === id)
}
