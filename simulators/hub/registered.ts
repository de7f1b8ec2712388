/**
 * Every provider the hub hosts: adding one is its folder and one line here.
 * (simulators/testkit/index.ts is the smallest complete provider to copy.)
 */
export { aligo } from '../aligo/index.ts'
export { razorpay } from '../razorpay/index.ts'
export { sendgrid } from '../sendgrid/index.ts'
export { stripe } from '../stripe/index.ts'
export { toss } from '../toss/index.ts'
export { twilio } from '../twilio/index.ts'
