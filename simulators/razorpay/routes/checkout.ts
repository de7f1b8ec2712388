export const checkoutRoutes = []
