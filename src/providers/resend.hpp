#pragma once

#include "providers/standard.hpp"

namespace hooktool::providers {

// Resend (resend.webhooks.verify): delivered through Svix, svix-* headers, whsec_ secrets.
// Its deliveries cannot be told from Svix's by headers: auto-detection says svix, and
// listen --provider resend names them.
const StandardFlavour& resend_flavour();

} // namespace hooktool::providers
