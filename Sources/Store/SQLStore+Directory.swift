import Foundation

// MARK: - Chips, assessments, tokens and vendor keys

extension SQLStore {
    public func addChip(_ chip: StoredChip) async throws(StoreError) {
        try await database.transaction { sql in
            if try await !sql.query("SELECT id FROM chips WHERE id = ?", chip.id).isEmpty {
                throw StoreError.conflict("chip \(chip.id) is already in the store")
            }
            try await sql.execute(
                "INSERT INTO chips (\(Columns.chip)) VALUES (?, ?, ?, ?, ?)",
                chip.id,
                chip.vendor,
                chip.document,
                chip.addedBy,
                Timestamp.text(chip.createdAt)
            )
        }
    }

    public func chips() async throws(StoreError) -> [StoredChip] {
        try await database.query("SELECT \(Columns.chip) FROM chips ORDER BY id").map { row throws(StoreError) in
            try Columns.chip(row)
        }
    }

    public func saveAssessment(_ assessment: StoredAssessment) async throws(StoreError) {
        let document = String(decoding: assessment.document, as: UTF8.self)
        try await database.transaction { sql in
            try await sql.execute(
                "INSERT INTO assessments (\(Columns.assessment)) VALUES (?, ?, ?, ?)",
                assessment.id,
                assessment.title,
                document,
                Timestamp.text(assessment.createdAt)
            )
        }
    }

    public func assessments(limit: Int?, after: CreationCursor?) async throws(StoreError) -> [StoredAssessment] {
        let (sql, values) = StoreSQL.page(
            "SELECT \(Columns.assessment) FROM assessments",
            [],
            newestFirst: true,
            limit: limit,
            after: after
        )
        return try await database.query(sql, values).map { row throws(StoreError) in try Columns.assessment(row) }
    }

    public func assessment(id: String) async throws(StoreError) -> StoredAssessment? {
        try await database.query("SELECT \(Columns.assessment) FROM assessments WHERE id = ?", id).first.map {
            row throws(StoreError) in try Columns.assessment(row)
        }
    }

    public func createToken(_ token: AccessToken) async throws(StoreError) {
        try await database.transaction { sql in
            try await sql.execute(
                "INSERT INTO tokens (\(Columns.token)) VALUES (?, ?, ?, ?, ?, ?)",
                token.id,
                token.name,
                token.role.description,
                token.hash,
                Timestamp.text(token.createdAt),
                token.revokedAt.map(Timestamp.text)
            )
        }
    }

    public func token(hash: String) async throws(StoreError) -> AccessToken? {
        try await database.query("SELECT \(Columns.token) FROM tokens WHERE hash = ?", hash).first.map {
            row throws(StoreError) in try Columns.token(row)
        }
    }

    public func tokens(limit: Int?, after: CreationCursor?) async throws(StoreError) -> [AccessToken] {
        let (sql, values) = StoreSQL.page(
            "SELECT \(Columns.token) FROM tokens",
            [],
            newestFirst: false,
            limit: limit,
            after: after
        )
        return try await database.query(sql, values).map { row throws(StoreError) in try Columns.token(row) }
    }

    public func revokeToken(id: String, at time: Date) async throws(StoreError) -> AccessToken {
        let stamp = Timestamp.text(time)
        return try await database.transaction { sql in
            guard
                let row = try await sql.query(
                    "SELECT \(Columns.token) FROM tokens WHERE id = ?\(sql.dialect.forUpdate)",
                    id
                ).first
            else { throw StoreError.notFound("no token \(id)") }
            var token = try Columns.token(row)
            if token.revokedAt == nil {
                try await sql.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", stamp, id)
                token.revokedAt = try Timestamp.date(stamp)
            }
            return token
        }
    }

    public func registerVendorKey(_ key: VendorKey) async throws(StoreError) {
        try await database.transaction { sql in
            if try await !sql.query(
                "SELECT id FROM vendor_keys WHERE id = ? OR public_key = ?",
                key.id,
                key.publicKey
            ).isEmpty {
                throw StoreError.conflict("key \(key.id) is already registered")
            }
            try await sql.execute(
                "INSERT INTO vendor_keys (\(Columns.vendorKey)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                key.id,
                key.vendor,
                key.name,
                key.publicKey,
                key.registeredBy,
                Timestamp.text(key.createdAt),
                key.revokedAt.map(Timestamp.text)
            )
        }
    }

    public func vendorKeys(
        vendor: String?,
        limit: Int?,
        after: CreationCursor?
    ) async throws(StoreError) -> [VendorKey] {
        let (sql, values) = StoreSQL.page(
            "SELECT \(Columns.vendorKey) FROM vendor_keys",
            vendor.map { [("vendor = ?", $0)] } ?? [],
            newestFirst: false,
            limit: limit,
            after: after
        )
        return try await database.query(sql, values).map { row throws(StoreError) in try Columns.vendorKey(row) }
    }

    public func vendorKey(id: String) async throws(StoreError) -> VendorKey? {
        try await database.query("SELECT \(Columns.vendorKey) FROM vendor_keys WHERE id = ?", id).first.map {
            row throws(StoreError) in try Columns.vendorKey(row)
        }
    }

    public func revokeVendorKey(id: String, at time: Date) async throws(StoreError) -> VendorKey {
        let stamp = Timestamp.text(time)
        return try await database.transaction { sql in
            guard
                let row = try await sql.query(
                    "SELECT \(Columns.vendorKey) FROM vendor_keys WHERE id = ?\(sql.dialect.forUpdate)",
                    id
                ).first
            else { throw StoreError.notFound("no key \(id)") }
            var key = try Columns.vendorKey(row)
            if key.revokedAt == nil {
                try await sql.execute("UPDATE vendor_keys SET revoked_at = ? WHERE id = ?", stamp, id)
                key.revokedAt = try Timestamp.date(stamp)
            }
            return key
        }
    }
}
