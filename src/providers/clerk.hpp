#pragma once

#include "providers/standard.hpp"

namespace hooktool::providers {

// Clerk (@clerk/backend/webhooks verifyWebhook): delivered through Svix; only svix-* headers
// are read (webhook-* alone are "missing"), their values trimmed; whsec_ secrets. Its
// deliveries cannot be told from Svix's by headers: auto-detection says svix, and
// listen --provider clerk names them.
const StandardFlavour& clerk_flavour();

} // namespace hooktool::providers
